"""Your data: uploads checked, parsed in a sandbox, geocoded and aggregated with disclosure control."""
