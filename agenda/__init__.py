"""Meetings (sammanträden), agendas and the kallelse."""
