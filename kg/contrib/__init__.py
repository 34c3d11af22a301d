"""Organizations' submissions: the records they send, the checks, a maintainer's approval."""
