"""Experiments behind the chapters, one module per experiment family.

Each study is a function of explicit parameters that returns a tidy ``pandas.DataFrame``
with named columns, draws its randomness from :mod:`sgnlib.streams` (chapter seed, study
name, setting) and caches long work through :class:`sgnlib.cache.UnitCache`. Import the
module you need (``from sgnlib.studies import estimators``): this package imports none of
its submodules, so it stays light and nobody needs to edit this file to add one.
"""
