/* Fault injection for tests/run-fault.sh: a counting allocator and a failing SQLite VFS. */
#ifndef ATTEND_TESTS_FAULT_H
#define ATTEND_TESTS_FAULT_H

void fault_alloc_init(void);
unsigned long fault_allocs(void);

int fault_vfs_init(void);
unsigned long fault_writes(void);

#endif
