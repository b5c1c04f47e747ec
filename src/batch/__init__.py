"""``python -m batch``: the notebooks' helpers on a corpus too large for one process.

The corpus is cut into blocks (:mod:`batch.partitions`) that Dask runs anywhere: in this
process, on a ``distributed.LocalCluster`` of worker processes, or on a running cluster
(:mod:`batch.pipeline`). The tables it writes to Parquet equal what the helpers give on
the whole corpus in one process; notebooks read them with ``CORPUS = "<out folder>"``
(:func:`helpers.corpus.read_batch`). Dask is imported here only, never by ``helpers``.
"""
