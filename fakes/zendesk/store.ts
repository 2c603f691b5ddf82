/**
 * The fake Zendesk's tickets: an in-memory store with Zendesk's validation rules and error
 * shapes, shared by the single and bulk endpoints of fakes/zendesk/index.ts. Built from
 * ../shared/reference/clients-and-apis.md §2.2–2.5 and the Tickets API reference
 * (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/), not from what
 * Switchboard sends.
 */

export interface FakeComment {
  body: string;
  public: boolean;
}

export interface FakeTicket {
  id: number;
  external_id: string | null;
  subject: string | null;
  /** The first comment's text (Zendesk's read-only `description`). */
  description: string;
  status: string;
  priority: string | null;
  type: string | null;
  tags: string[];
  comments: FakeComment[];
  requester: { name?: string; email?: string } | null;
  requester_id: number | null;
  assignee_id: number | null;
  group_id: number | null;
  custom_fields: Array<{ id: number; value: unknown }>;
  due_at: string | null;
  created_at: string;
  updated_at: string;
}

/** `{"error":"RecordInvalid","description":"Record validation errors","details":{field:[{description,error}]}}` */
export interface ValidationFailure {
  error: string;
  description: string;
  details: Record<string, Array<{ description: string; error: string }>>;
}

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const TYPES = ['problem', 'incident', 'question', 'task'];

export class TicketStore {
  readonly tickets = new Map<number, FakeTicket>();
  private nextId = 1001;

  byExternalId(externalId: string): FakeTicket[] {
    return [...this.tickets.values()].filter((t) => t.external_id === externalId).sort((a, b) => a.id - b.id);
  }

  /**
   * Creates a ticket from a request's `ticket` object, or returns why not. This fake, like
   * an account whose form requires them, wants a subject and a comment (the description).
   */
  create(input: Record<string, unknown>): FakeTicket | ValidationFailure {
    const problems: ValidationFailure['details'] = {};
    const comment = input.comment as { body?: unknown; public?: unknown } | undefined;
    const body = typeof comment?.body === 'string' ? comment.body : typeof input.description === 'string' ? input.description : '';
    if (body.trim() === '') problems.description = [{ description: 'Description: cannot be blank', error: 'BlankValue' }];
    if (typeof input.subject !== 'string' || input.subject.trim() === '') problems.subject = [{ description: 'Subject: cannot be blank', error: 'BlankValue' }];
    validateValues(input, problems);
    if (Object.keys(problems).length > 0) return invalid(problems);
    const now = new Date().toISOString();
    const ticket: FakeTicket = {
      id: this.nextId++,
      external_id: typeof input.external_id === 'string' ? input.external_id : null,
      subject: input.subject as string,
      description: body,
      status: typeof input.status === 'string' ? input.status : 'new',
      priority: typeof input.priority === 'string' ? input.priority : null,
      type: typeof input.type === 'string' ? input.type : null,
      tags: normaliseTags(input.tags),
      comments: [{ body, public: comment?.public !== false }],
      requester: (input.requester as FakeTicket['requester']) ?? null,
      requester_id: typeof input.requester_id === 'number' ? input.requester_id : 1,
      assignee_id: typeof input.assignee_id === 'number' ? input.assignee_id : null,
      group_id: typeof input.group_id === 'number' ? input.group_id : null,
      custom_fields: Array.isArray(input.custom_fields) ? (input.custom_fields as FakeTicket['custom_fields']) : [],
      due_at: typeof input.due_at === 'string' ? input.due_at : null,
      created_at: now,
      updated_at: now,
    };
    this.tickets.set(ticket.id, ticket);
    return ticket;
  }

  /**
   * Applies an update (`PUT /tickets/{id}`, or one entry of update_many), or returns why
   * not: a closed ticket cannot be updated (reference §2.2).
   */
  update(id: number, input: Record<string, unknown>): FakeTicket | ValidationFailure | 'not_found' {
    const ticket = this.tickets.get(id);
    if (ticket === undefined) return 'not_found';
    if (ticket.status === 'closed') {
      return { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description: 'Status: closed prevents ticket update', error: 'InvalidValue' }] } };
    }
    const problems: ValidationFailure['details'] = {};
    if ('subject' in input && (typeof input.subject !== 'string' || input.subject.trim() === '')) {
      problems.subject = [{ description: 'Subject: cannot be blank', error: 'BlankValue' }];
    }
    validateValues(input, problems);
    if (Object.keys(problems).length > 0) return invalid(problems);
    for (const key of ['subject', 'status', 'priority', 'type', 'external_id', 'requester_id', 'assignee_id', 'group_id', 'due_at'] as const) {
      if (key in input) (ticket as unknown as Record<string, unknown>)[key] = input[key];
    }
    if (Array.isArray(input.custom_fields)) {
      for (const field of input.custom_fields as FakeTicket['custom_fields']) {
        ticket.custom_fields = [...ticket.custom_fields.filter((f) => f.id !== field.id), field];
      }
    }
    // `tags` replaces the list; additional_tags / remove_tags edit it (Tickets API, Update Ticket).
    if ('tags' in input) ticket.tags = normaliseTags(input.tags);
    const removed = new Set(normaliseTags(input.remove_tags));
    ticket.tags = [...new Set([...ticket.tags, ...normaliseTags(input.additional_tags)])].filter((t) => !removed.has(t));
    const comment = input.comment as { body?: unknown; public?: unknown } | undefined;
    if (typeof comment?.body === 'string' && comment.body.trim() !== '') ticket.comments.push({ body: comment.body, public: comment.public !== false });
    ticket.updated_at = new Date().toISOString();
    return ticket;
  }

  delete(id: number): boolean {
    return this.tickets.delete(id);
  }
}

export function isFailure(value: unknown): value is ValidationFailure {
  return typeof value === 'object' && value !== null && 'error' in value && 'details' in value;
}

/** The JSON Zendesk returns for a ticket (the fields the fake keeps; `comments` are not part of it). */
export function ticketJson(ticket: FakeTicket, baseUrl: string): Record<string, unknown> {
  const { comments: _comments, requester: _requester, ...rest } = ticket;
  return { url: `${baseUrl}/api/v2/tickets/${ticket.id}.json`, ...rest };
}

/** One line from a failure, as job results carry it: `Subject: cannot be blank; Description: cannot be blank`. */
export function failureDetails(failure: ValidationFailure): string {
  return Object.values(failure.details)
    .flat()
    .map((d) => d.description)
    .join('; ');
}

function validateValues(input: Record<string, unknown>, problems: ValidationFailure['details']): void {
  const check = (field: string, allowed: string[]) => {
    const value = input[field];
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      problems[field] = [{ description: `${field[0]?.toUpperCase()}${field.slice(1)}: is not valid (${JSON.stringify(value)})`, error: 'InvalidValue' }];
    }
  };
  check('priority', PRIORITIES);
  check('status', STATUSES);
  check('type', TYPES);
}

function invalid(details: ValidationFailure['details']): ValidationFailure {
  return { error: 'RecordInvalid', description: 'Record validation errors', details };
}

/** Zendesk keeps tags lower case, one word each: "Missed Call" becomes two tags. */
function normaliseTags(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(list.map((t) => String(t).trim().toLowerCase()).filter((t) => t !== ''))];
}
