"""Channel adapters: translate platform updates to Inbound and Outbound to API calls, nothing more."""
