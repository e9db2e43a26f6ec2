from lcqy.cli import main

main()
