"""Teaching materials made from the project's own files: exercises read from the notebooks,
and the printable worksheet, coding sheet and Arabic pitfalls handout (``make materials``)."""
