"""The municipality, its administrations (förvaltningar) and committees (nämnder)."""
