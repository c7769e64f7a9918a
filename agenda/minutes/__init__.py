"""The protokoll (minutes) of a meeting: committee seats, absence, yrkanden, paragraphs, votes and justering."""
