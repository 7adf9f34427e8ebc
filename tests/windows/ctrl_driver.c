/* Starts a program in this console, waits until it is ready, then delivers a
   console control event to it and reports what happened.

   ctrl_driver.exe METHOD EVENT READY_FILE TIMEOUT_MS COMMAND_LINE
     METHOD generate: GenerateConsoleCtrlEvent(EVENT, 0). Wine 8 generates
       CTRL_C (0) only.
     METHOD remote: a thread running kernelbase's CtrlRoutine(EVENT) in the
       program, as the console host starts one for every event: 0 (CTRL_C),
       1 (CTRL_BREAK), 2 (CTRL_CLOSE), 5 (CTRL_LOGOFF), 6 (CTRL_SHUTDOWN).
       After CLOSE, LOGOFF and SHUTDOWN the program is ended once the thread
       returns, as Windows ends it (STATUS_CONTROL_C_EXIT), unless it is
       exiting by itself already; its exit code is reported.
     METHOD service: like remote, but the program is left running after the
       thread returns, as Windows leaves a service running after LOGOFF; then
       waits for it to end by itself.
     METHOD none: deliver nothing, wait for the program to end.
   The program signals readiness by creating READY_FILE. Every report line
   starts with "driver:". */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static BOOL WINAPI ignore(DWORD event) { return event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT; }

static double now_ms(void) {
  static LARGE_INTEGER frequency;
  LARGE_INTEGER counter;
  if (!frequency.QuadPart) QueryPerformanceFrequency(&frequency);
  QueryPerformanceCounter(&counter);
  return counter.QuadPart * 1000.0 / frequency.QuadPart;
}

static int fail(const char *what) {
  printf("driver: %s failed, error %lu\n", what, GetLastError());
  return 2;
}

static int wait_exit(HANDLE process, DWORD timeout, double since) {
  DWORD code = 0;
  if (WaitForSingleObject(process, timeout) != WAIT_OBJECT_0) {
    printf("driver: program still running after %lu ms\n", timeout);
    TerminateProcess(process, 1);
    return 2;
  }
  GetExitCodeProcess(process, &code);
  printf("driver: program exited with %lu after %.0f ms\n", code, now_ms() - since);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    printf("usage: ctrl_driver METHOD EVENT READY_FILE TIMEOUT_MS COMMAND_LINE\n");
    return 2;
  }
  const char *method = argv[1];
  int event = atoi(argv[2]);
  const char *ready = argv[3];
  DWORD timeout = (DWORD)atol(argv[4]);
  setvbuf(stdout, NULL, _IONBF, 0);
  SetConsoleCtrlHandler(ignore, TRUE); /* generated events reach the whole console */
  DeleteFileA(ready);

  STARTUPINFOA startup = {sizeof startup};
  PROCESS_INFORMATION child;
  if (!CreateProcessA(NULL, argv[5], NULL, NULL, TRUE, 0, NULL, NULL, &startup, &child))
    return fail("CreateProcess");
  double started = now_ms();
  while (GetFileAttributesA(ready) == INVALID_FILE_ATTRIBUTES) {
    if (WaitForSingleObject(child.hProcess, 20) == WAIT_OBJECT_0 || now_ms() - started > timeout) {
      printf("driver: program not ready after %.0f ms\n", now_ms() - started);
      TerminateProcess(child.hProcess, 1);
      return 2;
    }
  }
  printf("driver: ready after %.0f ms\n", now_ms() - started);

  double sent = now_ms();
  if (strcmp(method, "none") == 0) return wait_exit(child.hProcess, timeout, sent);
  if (strcmp(method, "generate") == 0) {
    if (!GenerateConsoleCtrlEvent((DWORD)event, 0)) {
      int status = fail("GenerateConsoleCtrlEvent");
      TerminateProcess(child.hProcess, 1);
      return status;
    }
    printf("driver: generated event %d\n", event);
    return wait_exit(child.hProcess, timeout, sent);
  }

  FARPROC routine = GetProcAddress(GetModuleHandleA("kernelbase.dll"), "CtrlRoutine");
  if (!routine) return fail("GetProcAddress(CtrlRoutine)");
  HANDLE thread = CreateRemoteThread(child.hProcess, NULL, 0, (LPTHREAD_START_ROUTINE)routine,
                                     (LPVOID)(ULONG_PTR)event, 0, NULL);
  if (!thread) return fail("CreateRemoteThread");
  if (WaitForSingleObject(thread, timeout) != WAIT_OBJECT_0) {
    printf("driver: thread still running after %lu ms\n", timeout);
    TerminateProcess(child.hProcess, 1);
    return 2;
  }
  double held = now_ms() - sent;
  DWORD code = 0;
  GetExitCodeThread(thread, &code);
  int alive = WaitForSingleObject(child.hProcess, 0) == WAIT_TIMEOUT;
  printf("driver: thread returned %lu after %.0f ms, program %s\n", code, held,
         alive ? "still running" : "already ended");
  if (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT || !alive || strcmp(method, "service") == 0)
    return wait_exit(child.hProcess, timeout, sent);
  /* Wine's CtrlRoutine returns 0 or 1. Any other code is the program's own
     exit status: its exit ended the held thread, and the thread may end a
     moment before the process is over. Wine's TerminateProcess would then
     overwrite that status, so let the exit finish. */
  if (code > 1) {
    printf("driver: program exiting by itself\n");
    return wait_exit(child.hProcess, timeout, sent);
  }
  printf("driver: ending the program\n");
  TerminateProcess(child.hProcess, STATUS_CONTROL_C_EXIT);
  return wait_exit(child.hProcess, timeout, sent);
}
