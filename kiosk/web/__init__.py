"""Browser delivery: the candidate app served to locked browsers on the lab network
(textual-serve), one `kiosk sit` client process per browser, seats from the invigilator's seat
links, TLS with the centre's certificate. docs/deployment.md, section 2."""
