"""``python -m teaching``: write the printable class materials (see teaching.materials)."""

from teaching.materials import main

raise SystemExit(main())
