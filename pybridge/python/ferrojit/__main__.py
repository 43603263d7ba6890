"""``python -m ferrojit build module.py [options]``: ahead-of-time builds (see ferrojit.build)."""

import sys

from .build import main

sys.exit(main())
