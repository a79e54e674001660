"""Issue 17: the machine a run used is recorded, and two executions' verdict words are compared (sgnlib.robustness)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import torch

from sgnlib import provenance, robustness


def _glue_output(name: str, value: str):
    return nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": repr(value)},
                                  metadata={"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}})


def _notebook(values: dict[str, str], findings: list[str]):
    nb = nbformat.v4.new_notebook()
    md = "# Title\n\n```{admonition} Key findings\n" + "".join(f"* {{glue:text}}`{n}`\n" for n in findings) + "```\n"
    code = nbformat.v4.new_code_cell("glue(...)")
    code.outputs = [_glue_output(k, v) for k, v in values.items()]
    nb.cells = [nbformat.v4.new_markdown_cell(md), code, nbformat.v4.new_markdown_cell("{glue:text}`ch_other`")]
    return nb


def test_glued_reads_every_value_without_quotes():
    """Every glued value is read back as the text the page shows (the repr's quotes removed)."""
    nb = _notebook({"ch_a_verdict": "holds", "ch_n": "0.51"}, [])
    assert robustness.glued(nb) == {"ch_a_verdict": "holds", "ch_n": "0.51"}


def test_key_finding_names_only_from_the_key_findings_block():
    """Glue cited after the admonition (ch_other) is not a key finding."""
    nb = _notebook({}, ["ch_a_verdict", "ch_n", "ch_a_verdict"])
    assert robustness.key_finding_names(nb) == ["ch_a_verdict", "ch_n"]


def test_compare_reports_each_changed_verdict_word_and_number():
    """A verdict word that flips (holds → marginal) and a key-finding number that moves are both marked; equal ones not."""
    first = _notebook({"ch_a_verdict": "holds", "ch_b_verdict": "fails", "ch_n": "0.51", "ch_a_criterion": "x"},
                      ["ch_a_verdict", "ch_n"])
    second = _notebook({"ch_a_verdict": "marginal", "ch_b_verdict": "fails", "ch_n": "0.49", "ch_a_criterion": "x"},
                       ["ch_a_verdict", "ch_n"])
    table = robustness.compare(first, second)
    assert list(table.name) == ["ch_a_verdict", "ch_b_verdict", "ch_n"]
    assert list(table.same) == [False, True, False]
    assert robustness.summary(table) == "1 of 2 verdict words equal (ch_a_verdict: holds → marginal)"
    assert robustness.summary(robustness.compare(first, first)) == "2 of 2 verdict words equal"


def test_machine_records_torch_kernels_threads_and_blas():
    """The record holds what the numbers may depend on: torch's CPU capability, its threads, the BLAS."""
    m = provenance.machine()
    assert m["cpu_kernels"] == torch.backends.cpu.get_cpu_capability()
    assert m["torch_threads"] == torch.get_num_threads()
    assert "torch" in m["blas"] and m["cpu"]


def test_machine_sees_the_kernel_setting_of_its_process():
    """Under ATEN_CPU_CAPABILITY=default the record says DEFAULT kernels and names the variable."""
    code = "import json; from sgnlib import provenance; print(json.dumps(provenance.machine()))"
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    m = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
    assert m["cpu_kernels"] == "DEFAULT" and m["env"]["ATEN_CPU_CAPABILITY"] == "default"


def test_run_record_carries_the_chapter_threads_and_the_runs_text_shows_them():
    """write_run_metadata stores the chapter's own thread count; machine_text shows it, not the process default."""
    nb = nbformat.v4.new_notebook()
    rec = provenance.write_run_metadata(nb, chapter="04_x", profile="book", parameters={}, seconds=1.0, threads=1)
    assert rec["machine"]["chapter_threads"] == 1
    text = provenance.machine_text(rec)
    assert "1 thread ·" in text and f"kernels {torch.backends.cpu.get_cpu_capability()}" in text
    rec["machine"]["chapter_threads"] = 0
    assert f"{torch.get_num_threads()} thread" in provenance.machine_text(rec)
