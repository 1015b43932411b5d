/* Found only through acc's -I option (see run_cli.sh). */
#define FROM_HEADER 35
