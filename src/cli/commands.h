/*
 * commands — the CLI's command groups, one table per file (participant.c,
 * subnetwork.c, outcome.c, import.c, stats.c, replication.c, backup.c,
 * token.c, audit.c). main.c
 * lists them in the order `mentornet --help` shows them.
 *
 * Each table ends with an entry whose name is NULL; the tables and all
 * they point to live as long as the program.
 */
#ifndef MN_CLI_COMMANDS_H
#define MN_CLI_COMMANDS_H

#include "cli/args.h"

/* participant add, show, list, update, export, consent-withdraw */
extern const mn_command mn_participant_commands[];
/* partnership propose, show, list, reserve, decline, end, expire */
extern const mn_command mn_partnership_commands[];
/* participant transfer (in the participant group) */
extern const mn_command mn_transfer_commands[];
extern const mn_command mn_erase_commands[]; /* participant erase, erasure */
/* meeting add, show, list, update */
extern const mn_command mn_meeting_commands[];
/* subnetwork create, show, update, list, join, leave, members */
extern const mn_command mn_subnetwork_commands[];
/* outcome add, show, list */
extern const mn_command mn_outcome_commands[];
/* match suggest, plan, propose */
extern const mn_command mn_match_commands[];
/* import FILE */
extern const mn_command mn_import_commands[];
/* stats */
extern const mn_command mn_stats_commands[];
/* digest, health, replication, conflicts */
extern const mn_command mn_replication_commands[];
/* backup FILE */
extern const mn_command mn_backup_commands[];
/* token create, list, revoke */
extern const mn_command mn_token_commands[];
/* audit */
extern const mn_command mn_audit_commands[];

#endif
