"""The diarium: cases (ärenden), their diarienummer and registered documents (handlingar)."""
