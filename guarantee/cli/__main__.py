from guarantee.cli import main

main()
