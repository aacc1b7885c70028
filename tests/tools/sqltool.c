/* sqltool.c: prints the SQL of one of common/db.c's statements, for EXPLAIN in the benchmarks. */
#include <stdio.h>

#include "db.h"

int
main(int argc, char **argv)
{
	const char *sql = argc == 2 ? db_statement_sql(argv[1]) : NULL;

	if (sql == NULL) {
		fprintf(stderr, "usage: sqltool STATEMENT_NAME (as prepared, e.g. fav_list)\n");
		return 2;
	}
	printf("%s\n", sql);
	return 0;
}
