/*
 * runtime/engine: a policy evaluated over a register.
 *
 * The evaluation loop (outcome.h) loads what a policy needs once and yields
 * one outcome per pupil; consumers (run.h) turn outcomes into the report,
 * explanations, letters, the notice check and the recorded history. Replay
 * (replay.h) walks the school days in order and keeps the decision history
 * (history.h); penalties.h follows notices per parent, notices.h issues them.
 *
 * Prefix eng_. Depends on register/, machine/ and base/, never on tools/.
 */
#ifndef ENG_ENGINE_H
#define ENG_ENGINE_H

#include "runtime/engine/notices.h"
#include "runtime/engine/replay.h"
#include "runtime/engine/run.h"

#endif
