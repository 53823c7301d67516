"""The surge bench's settings (bench/surge.py): production's, plus the baseline endpoint's URL.

Never used outside the bench: the baseline endpoint writes without any business rule.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.surge_urls"
# What the baseline reserves per file: the real path's voucher amount for the bench's drafts.
SURGE_AMOUNT_CENTS = int(os.environ.get("SURGE_AMOUNT_CENTS", "200000"))
