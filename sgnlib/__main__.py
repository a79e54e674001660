from sgnlib.runner import main

raise SystemExit(main())
