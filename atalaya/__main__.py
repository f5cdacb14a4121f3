from atalaya.cli import main

main()
