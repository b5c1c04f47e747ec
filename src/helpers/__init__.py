"""Helpers for the Arabic state-media framing notebooks.

Modules, one concern each: ``paths`` (where everything lives), ``corpus`` (loading, the load
report, the kept corpus), ``datelines`` (wire datelines), ``arabic`` (character classes,
normalisation, tokens, sentences), ``entities`` (name spellings), ``terms`` (TF-IDF, nearest
neighbours, keyness), ``collocations`` (words near a term), ``frames`` (frame lexicon
matching and rates), ``speakers`` (who speaks each sentence), ``validation`` (precision and
recall against hand coding, blind coding sheets, coder agreement), ``stats`` (intervals),
``timeline`` (tables over time), ``plots`` (every chart: each takes a table computed in one
of the modules above and draws it), ``plotting`` (Arabic plot labels and style), ``display``
(escaped right-to-left tables). The report builder (``python -m reports``) is a separate
package beside this one.
"""

__version__ = "0.1.0"
