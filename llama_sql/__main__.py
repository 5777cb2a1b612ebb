"""`python -m llama_sql <command>`: see llama_sql/cli.py."""

import sys

from llama_sql.cli import main

sys.exit(main())
