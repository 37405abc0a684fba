/* Fault injection for tests/run-fault.sh: a counting allocator and a failing SQLite VFS. */
#ifndef ATTEND_TESTS_FAULT_H
#define ATTEND_TESTS_FAULT_H

void fault_alloc_init(void);
unsigned long fault_allocs(void);

/* Before SQLite starts, so before fault_vfs_init. */
int fault_sqlite_alloc_init(void);
/* After SQLite has started: counting starts from here. */
void fault_sqlite_alloc_arm(void);
unsigned long fault_sqlite_allocs(void);

int fault_vfs_init(void);
unsigned long fault_writes(void);

#endif
