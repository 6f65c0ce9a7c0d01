//! Sandbox integration tests. This binary is its own worker: started with the internal
//! subcommand it serves one element (from the built-in registry plus the test elements
//! in `elements.rs`), so hostile code exists only here.

mod arena;
mod elements;
mod files;
mod group;
mod isolated;
mod pipeline;
mod srcsink;

use std::process::ExitCode;

type TestResult = Result<(), String>;

/// A test and the name filters match.
type NamedTest = (&'static str, fn() -> TestResult);

/// Fails the test with a message unless `cond` holds.
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!("{}:{}: {}", file!(), line!(), format!($($msg)+)));
        }
    };
}
pub(crate) use check;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some(parallax_sandbox::WORKER_SUBCOMMAND) => {
            let registry = match elements::registry() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            return ExitCode::from(parallax_sandbox::worker_main(&registry) as u8);
        }
        Some(arena::PEER_COMMAND) => return arena::peer_main(&args[2..]),
        _ => {}
    }
    let filters: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let tests: &[NamedTest] = &[
        (
            "arena::two_process_refcount_stress",
            arena::two_process_refcount_stress,
        ),
        (
            "arena::counts_exact_after_peer_crash",
            arena::counts_exact_after_peer_crash,
        ),
        (
            "arena::lying_peer_cannot_free_owner_slots",
            arena::lying_peer_cannot_free_owner_slots,
        ),
        (
            "isolated::passthrough_is_zero_copy",
            isolated::passthrough_is_zero_copy,
        ),
        (
            "isolated::many_round_trips_lose_no_wake_up",
            isolated::many_round_trips_lose_no_wake_up,
        ),
        (
            "isolated::outputs_come_from_shared_slots",
            isolated::outputs_come_from_shared_slots,
        ),
        (
            "isolated::extra_metadata_crosses_both_ways",
            isolated::extra_metadata_crosses_both_ways,
        ),
        (
            "isolated::protections_are_active",
            isolated::protections_are_active,
        ),
        ("isolated::open_is_denied", isolated::open_is_denied),
        ("isolated::socket_is_denied", isolated::socket_is_denied),
        ("isolated::execve_is_denied", isolated::execve_is_denied),
        ("isolated::fork_is_denied", isolated::fork_is_denied),
        (
            "isolated::truncating_stderr_is_denied",
            isolated::truncating_stderr_is_denied,
        ),
        ("isolated::abort_is_reported", isolated::abort_is_reported),
        (
            "isolated::file_size_limit_is_reported",
            isolated::file_size_limit_is_reported,
        ),
        (
            "isolated::element_runs_as_pid_1",
            isolated::element_runs_as_pid_1,
        ),
        (
            "isolated::killing_the_keeper_leaves_no_worker",
            isolated::killing_the_keeper_leaves_no_worker,
        ),
        (
            "isolated::spinning_worker_times_out",
            isolated::spinning_worker_times_out,
        ),
        (
            "isolated::segfault_restarts_and_counts_stay_exact",
            isolated::segfault_restarts_and_counts_stay_exact,
        ),
        (
            "isolated::death_during_a_caps_change_is_reported",
            isolated::death_during_a_caps_change_is_reported,
        ),
        (
            "isolated::printing_to_stdout_harms_nothing",
            isolated::printing_to_stdout_harms_nothing,
        ),
        (
            "pipeline::crash_mid_stream_is_reported_and_stream_continues",
            pipeline::crash_mid_stream_is_reported_and_stream_continues,
        ),
        (
            "group::two_elements_share_one_worker",
            group::two_elements_share_one_worker,
        ),
        (
            "group::grouped_restart_keeps_going_without_leaks",
            group::grouped_restart_keeps_going_without_leaks,
        ),
        (
            "group::a_failed_group_fails_every_element_reported_once",
            group::a_failed_group_fails_every_element_reported_once,
        ),
        (
            "group::group_members_on_two_threads_survive_a_crash",
            group::group_members_on_two_threads_survive_a_crash,
        ),
        (
            "group::malicious_element_in_a_group_is_named",
            group::malicious_element_in_a_group_is_named,
        ),
        (
            "pipeline::death_in_an_upstream_caps_change_is_reported",
            pipeline::death_in_an_upstream_caps_change_is_reported,
        ),
        (
            "files::declared_files_are_opened_by_the_host",
            files::declared_files_are_opened_by_the_host,
        ),
        (
            "files::undeclared_path_is_a_clear_error",
            files::undeclared_path_is_a_clear_error,
        ),
        (
            "files::crash_restart_reopens_files",
            files::crash_restart_reopens_files,
        ),
        (
            "files::group_members_keep_their_files_apart",
            files::group_members_keep_their_files_apart,
        ),
        (
            "files::filesink_writes_through_granted_files",
            files::filesink_writes_through_granted_files,
        ),
        (
            "files::a_grant_is_one_open_with_its_access",
            files::a_grant_is_one_open_with_its_access,
        ),
        (
            "pipeline::patterns_choose_what_is_isolated",
            pipeline::patterns_choose_what_is_isolated,
        ),
        (
            "srcsink::every_element_isolated_gives_the_in_process_stream",
            srcsink::every_element_isolated_gives_the_in_process_stream,
        ),
        (
            "srcsink::crashing_source_is_reported_and_restarted_per_policy",
            srcsink::crashing_source_is_reported_and_restarted_per_policy,
        ),
        (
            "srcsink::crashing_sink_is_reported_and_restarted_per_policy",
            srcsink::crashing_sink_is_reported_and_restarted_per_policy,
        ),
        (
            "srcsink::source_restart_leaks_no_slot",
            srcsink::source_restart_leaks_no_slot,
        ),
        (
            "srcsink::elements_that_cannot_run_in_a_worker_stay_and_say_why",
            srcsink::elements_that_cannot_run_in_a_worker_stay_and_say_why,
        ),
        (
            "srcsink::file_to_file_every_element_isolated",
            srcsink::file_to_file_every_element_isolated,
        ),
        (
            "srcsink::sink_crash_leaks_no_lease",
            srcsink::sink_crash_leaks_no_lease,
        ),
    ];
    let mut failed = 0;
    let mut ran = 0;
    for (name, test) in tests {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        match test() {
            Ok(()) => println!("test {name} ... ok"),
            Err(message) => {
                failed += 1;
                println!("test {name} ... FAILED\n    {message}");
            }
        }
    }
    println!(
        "\ntest result: {}. {} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        ran - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
