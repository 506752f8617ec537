"""Administration: the audit log's chain, its verification and its reports."""
