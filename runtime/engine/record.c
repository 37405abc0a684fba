/* The recorder (run.h): `attend run --record`, the as-of day replayed once
 * every pupil has been evaluated. */
#include "runtime/engine/replay.h"
#include "runtime/engine/run.h"

static int
record_end(struct eng_consumer *c, const struct rt_program *prog)
{
	struct eng_recorder *r = (struct eng_recorder *)c;
	struct eng_replay_options ro = { r->day, r->day, r->diag, r->diag, NULL, 1 };
	return eng_replay(prog, r->store, &ro);
}

struct eng_consumer *
eng_recorder_init(struct eng_recorder *r, struct reg_store *store, rt_date day, FILE *diag)
{
	*r = (struct eng_recorder){ { NULL, NULL, record_end, 0, NULL }, store, day, diag };
	return &r->consumer;
}
