"""The centre service: the one process that holds the centre key, writes the ledger, decrypts
the exams and scores. Every terminal and tool is a client of it over a Unix socket
(`kiosk serve`, docs/deployment.md). One module per room: `server` (HTTP routes, auth),
`writer` (group commit), `candidate` (the candidate's use cases)."""
