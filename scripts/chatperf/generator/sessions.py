"""Session records: the numpy record of one planned session and its flag bits.

``flags`` (F_*) describe the session, ``vflags`` (V_*) the visitor it belongs to."""

import numpy as np

F_WIDGET = 1
F_OPEN = 2
F_START = 4
F_HELPDESK = 8
F_IDENT = 16
F_PURCHASE = 32  # a checkout session (ordinal 250); open_off holds the purchase offset
F_NEWSLETTER = 64
F_SPONSOR_FORM = 128
F_SPONSOR_CHAT = 256
F_ABANDON = 512  # an abandoned-checkout session (ordinal 251); open_off = checkout offset
F_APP = 1024

V_QA = 1
V_HOLDOUT = 2
V_PROACTIVE_T = 4
V_BOT_FIRST = 8
V_BUYER = 16
V_SRM_T = 32

PURCHASE_ORDINAL = 250
ABANDON_ORDINAL = 251

SESSION_DTYPE = np.dtype(
    [
        ("vid", "i8"),
        ("start", "i8"),
        ("open_off", "i4"),
        ("form_off", "i4"),
        ("flags", "u2"),
        ("ordinal", "u1"),
        ("pkind", "i1"),
        ("country", "u1"),
        ("device", "u1"),
        ("tz", "u1"),
        ("acq", "u1"),
        ("vflags", "u1"),
        ("first", "u2"),
        ("last", "u2"),
        ("domain", "u1"),
    ]
)
