"""Security core: sharing levels, the access policy, and (later) crypto and audit.

Pure: imports neither schema/ nor server/, so it can be read and audited alone.
"""
