"""Entry point for ``python -m quizapp``."""

from quizapp.cli import main

raise SystemExit(main())
