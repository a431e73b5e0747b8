"""Services: what the product does, as plain Python with typed results and typed errors. Every
entry point (the pages, the command line, the worker, later the help desk and the API) calls
these with an Actor; a service never sees a request, and nothing above it calls the directory,
the limits or the audit trail itself."""
