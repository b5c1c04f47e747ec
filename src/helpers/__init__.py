"""Helpers for the Arabic state-media framing notebooks.

Modules: ``paths`` (where everything lives), ``corpus`` (loading and datelines),
``arabic`` (normalisation and tokens), ``terms`` (TF-IDF and keyness), ``frames``
(frame lexicon matching), ``timeline`` (plots over time), ``plotting`` (Arabic plot
labels). The report builder (``python -m reports``) is a separate package beside this one.
"""

__version__ = "0.1.0"
