"""Reports rendered from the data the API gives (HTML, Markdown, an SVG chart): what
the command line writes to files. Rendering only: what a report holds is decided by
the GraphQL query (`schema.reports`), read as its audience."""
