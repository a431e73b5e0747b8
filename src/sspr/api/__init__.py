"""The API (/api/v1/): a web adapter like the console's pages, for help-desk tools, rostering
scripts and monitoring. A key (sspr.services.apikeys) acts as a member of staff with the key's
role, within its scopes, through the same services the console calls; see docs/api.md."""
