"""ttport.codegen: what the reference and lower generators share to write Python functions from a graph."""
