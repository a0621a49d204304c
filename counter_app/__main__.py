"""`python -m counter_app`: the same as the `counter-app` command."""

import sys

from counter_app.cli.main import main

sys.exit(main())
