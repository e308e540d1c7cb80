"""Open data: the DCAT-AP catalogue of lifegate's open datasets, the life-event definitions as
machine-readable data, usage statistics that expose nobody, and the public dashboard."""
