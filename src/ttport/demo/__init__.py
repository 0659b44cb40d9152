"""The main job until the BERT port lands: the seed's TTNN blocks on MiniLM's real weights, checked by PCC."""
