from atalaya.commands import main

main()
