"""ttport port: a model -> a TTNN project (tt/, reference/, tests/, README.md), proven on the emulator."""
