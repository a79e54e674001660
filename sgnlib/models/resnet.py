"""Residual networks for small images (32×32 CIFAR-style, 28×28 Fashion-MNIST).

* :class:`CifarResNet` — the CIFAR ResNets of He et al. 2015 (sec. 4.2): a 3×3 stem, three
  stages of ``n`` basic blocks with ``w, 2w, 4w`` channels (``w = 16`` in the paper), depth
  ``6n + 2`` (ResNet-20/32/56/110), and *option A* shortcuts: identity, or when the shape
  changes, a stride-2 subsampling padded with zero channels — no parameters.
* :func:`small_image_resnet` — torchvision's ResNet-18/34/50 with the ImageNet stem (7×7
  stride-2 convolution and max-pool) replaced by one 3×3 stride-1 convolution, the usual
  adaptation to 32×32 inputs, and every stage's width scaled by ``width / 64``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import resnet as tv

__all__ = ["CifarResNet", "small_image_resnet", "CIFAR_DEPTHS", "TORCHVISION_LAYERS"]

#: depth → blocks per stage of the CIFAR ResNets (depth = 6n + 2).
CIFAR_DEPTHS = {20: 3, 32: 5, 56: 9, 110: 18}

#: name → (block, blocks per stage) of torchvision's ResNets.
TORCHVISION_LAYERS = {
    18: (tv.BasicBlock, [2, 2, 2, 2]),
    34: (tv.BasicBlock, [3, 4, 6, 3]),
    50: (tv.Bottleneck, [3, 4, 6, 3]),
}


class ShortcutA(nn.Module):
    """Option-A shortcut (He et al. 2015): subsample by ``stride``, pad the new channels with zeros."""

    def __init__(self, in_planes: int, planes: int, stride: int):
        super().__init__()
        self.stride = stride
        extra = planes - in_planes
        self.pad = (extra // 2, extra - extra // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride != 1:
            x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, *self.pad))


class BasicBlockA(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = ShortcutA(in_planes, planes, stride) if (stride != 1 or in_planes != planes) else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """ResNet-(6n+2) of He et al. 2015 for 32×32 images, option-A shortcuts."""

    def __init__(self, depth: int, num_classes: int, in_channels: int = 3, width: int = 16):
        super().__init__()
        if depth not in CIFAR_DEPTHS:
            raise ValueError(f"depth must be one of {sorted(CIFAR_DEPTHS)}; got {depth!r}")
        n = CIFAR_DEPTHS[depth]
        self.conv1 = nn.Conv2d(in_channels, width, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        layers, in_planes = [], width
        for stage, planes in enumerate((width, 2 * width, 4 * width)):
            blocks = []
            for b in range(n):
                stride = 2 if (stage > 0 and b == 0) else 1
                blocks.append(BasicBlockA(in_planes, planes, stride))
                in_planes = planes
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(4 * width, num_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_out" if isinstance(m, nn.Conv2d) else "fan_in", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.fc(out)


class _SmallImageResNet(tv.ResNet):
    """torchvision's ResNet with a 3×3 stride-1 stem, no max-pool, and stage widths scaled by ``width/64``."""

    def __init__(self, block, layers: list[int], num_classes: int, in_channels: int, width: int):
        self._width = width
        super().__init__(block, layers, num_classes=num_classes)
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = nn.Identity()
        self.fc = nn.Linear(8 * width * block.expansion, num_classes)
        nn.init.kaiming_normal_(self.conv1.weight, mode="fan_out", nonlinearity="relu")

    def _make_layer(self, block, planes: int, blocks: int, stride: int = 1, dilate: bool = False) -> nn.Sequential:
        if planes == 64:  # the first stage: its input is the stem's output, ``width`` channels
            self.inplanes = self._width
        return super()._make_layer(block, planes * self._width // 64, blocks, stride, dilate)


def small_image_resnet(depth: int, num_classes: int, in_channels: int = 3, width: int = 64) -> nn.Module:
    """torchvision ResNet-``depth`` (18, 34, 50) adapted to small images; ``width=64`` is torchvision's."""
    if depth not in TORCHVISION_LAYERS:
        raise ValueError(f"depth must be one of {sorted(TORCHVISION_LAYERS)}; got {depth!r}")
    block, layers = TORCHVISION_LAYERS[depth]
    return _SmallImageResNet(block, layers, num_classes, in_channels, width)
