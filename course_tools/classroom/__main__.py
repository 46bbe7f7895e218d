"""`python -m course_tools.classroom …`: see course_tools.classroom for the commands."""
import sys

from course_tools.classroom import main

sys.exit(main(sys.argv[1:]))
