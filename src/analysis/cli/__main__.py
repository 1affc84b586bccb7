"""``python -m analysis.cli``: the ``tracer`` command without the console script."""

import sys

from analysis.cli import main

sys.exit(main())
