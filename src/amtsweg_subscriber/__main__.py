import sys

from amtsweg_subscriber.cli import main

sys.exit(main())
