import sys

from db.imports.cli import main

sys.exit(main())
