from sspr.cli import main

main()
