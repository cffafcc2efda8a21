"""`python -m thce ...` is the same as `thce ...` (used by `accelerate launch -m thce train`)."""

from thce.cli import main

if __name__ == "__main__":
    main()
