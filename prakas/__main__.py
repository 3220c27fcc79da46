from prakas.cli import main

main()
