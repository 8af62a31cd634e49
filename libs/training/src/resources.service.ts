import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Action, actorOf, CallerContext, RecordAccess, scopeFor, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException } from '@hub/common';
import type { ResourceView } from '@hub/contracts';
import { CreateResourceDto, ResourceQuery, UpdateResourceDto } from './dto/training.dto';
import { Resource } from './entities/resource.entity';

const CONFIG = { en: 'english', fr: 'french' } as const;

/**
 * The resource centre: guides, SOPs and quick-reference cards of a mission or global, per language, searched with
 * PostgreSQL full-text search (each document's tsvector uses its language's configuration; a query is matched with
 * the same configuration, so "évacuations" finds "évacuation" in French and "evacuating" finds "evacuation" in English).
 */
@Injectable()
export class ResourcesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
  ) {}

  private view(caller: CallerContext, r: Resource & { rank?: number; snippet?: string }): ResourceView {
    return {
      id: r.id,
      missionId: r.missionId,
      kind: r.kind,
      title: r.title,
      summary: r.summary,
      body: r.body,
      language: r.language,
      tags: r.tags,
      updatedAt: r.updatedAt.toISOString(),
      canManage: caller.ability.can(Action.Update, subjectOf('TrainingResource', { missionId: r.missionId })),
      ...(r.rank !== undefined ? { rank: r.rank, snippet: r.snippet } : {}),
    };
  }

  async search(caller: CallerContext, q: ResourceQuery): Promise<ResourceView[]> {
    const scope = scopeFor(caller.principal, Action.Read, 'TrainingResource');
    const qb = this.dataSource.getRepository(Resource).createQueryBuilder('r').limit(100);
    if (scope.kind === 'missions') qb.where('(r.missionId IS NULL OR r.missionId = ANY(:missions))', { missions: scope.missionIds });
    if (q.language) qb.andWhere('r.language = :language', { language: q.language });
    if (q.kind) qb.andWhere('r.kind = :kind', { kind: q.kind });
    if (q.tag) qb.andWhere(':tag = ANY(r.tags)', { tag: q.tag });
    const text = q.q?.trim();
    if (!text) {
      const rows = await qb.orderBy('r.title').getMany();
      return rows.map((r) => this.view(caller, r));
    }
    // One GIN-indexed match per language configuration (a bitmap OR), ranked with title hits first.
    const langs = q.language ? [q.language] : (['en', 'fr'] as const);
    const match = langs.map((l) => `(r.language = '${l}' AND r.search @@ websearch_to_tsquery('${CONFIG[l]}', :q))`).join(' OR ');
    const query = `websearch_to_tsquery(CASE r.language WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END, :q)`;
    qb.andWhere(`(${match})`, { q: text })
      .addSelect(`ts_rank(r.search, ${query})`, 'rank')
      .addSelect(`ts_headline(CASE r.language WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END, r.title || '. ' || r.summary || ' ' || r.body, ${query}, 'StartSel=«, StopSel=», MaxWords=25, MinWords=8')`, 'snippet')
      .orderBy('rank', 'DESC')
      .addOrderBy('r.title');
    const { entities, raw } = await qb.getRawAndEntities();
    return entities.map((r, i) => this.view(caller, Object.assign(r, { rank: Number(raw[i].rank), snippet: raw[i].snippet as string })));
  }

  async get(caller: CallerContext, id: string): Promise<ResourceView> {
    const r = await this.dataSource.manager.findOne(Resource, { where: { id } });
    await this.access.assert(caller, Action.Read, 'TrainingResource', r, { id, missionId: r?.missionId ?? null });
    return this.view(caller, r!);
  }

  async create(caller: CallerContext, dto: CreateResourceDto): Promise<ResourceView> {
    const missionId = dto.missionId ?? null;
    if (!caller.ability.can(Action.Create, subjectOf('TrainingResource', { missionId }))) {
      if (!missionId) throw DomainException.invalid('missionId', 'is required: global documents are managed by system administrators');
      throw DomainException.notFound('Mission');
    }
    return this.dataSource.transaction(async (m) => {
      const r = await m.save(
        m.create(Resource, { missionId, kind: dto.kind, title: dto.title.trim(), summary: dto.summary ?? '', body: dto.body, language: dto.language, tags: normaliseTags(dto.tags), updatedById: caller.principal.userId }),
      );
      await this.audit.record({ action: 'training.resource_created', outcome: 'success', missionId, subjectType: 'TrainingResource', subjectId: r.id, ...actorOf(caller) }, m);
      return this.view(caller, r);
    });
  }

  async update(caller: CallerContext, id: string, dto: UpdateResourceDto): Promise<ResourceView> {
    return this.dataSource.transaction(async (m) => {
      const r = await m.findOne(Resource, { where: { id } });
      await this.access.assert(caller, Action.Update, 'TrainingResource', r, { id, missionId: r?.missionId ?? null });
      Object.assign(r!, { ...dto, ...(dto.tags ? { tags: normaliseTags(dto.tags) } : {}), updatedById: caller.principal.userId });
      await m.save(r!);
      await this.audit.record({ action: 'training.resource_updated', outcome: 'success', missionId: r!.missionId, subjectType: 'TrainingResource', subjectId: id, details: { fields: Object.keys(dto) }, ...actorOf(caller) }, m);
      return this.view(caller, r!);
    });
  }
}

function normaliseTags(tags: string[] = []): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()))];
}
