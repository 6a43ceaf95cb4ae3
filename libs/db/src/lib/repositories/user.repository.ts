import type { DataSource, Repository } from 'typeorm';
import { UserEntity } from '../entities/user.entity';

export class UserRepository {
  private readonly users: Repository<UserEntity>;

  constructor(dataSource: DataSource) {
    this.users = dataSource.getRepository(UserEntity);
  }

  async create(): Promise<UserEntity> {
    const [row] = await this.users.query(
      'INSERT INTO users DEFAULT VALUES RETURNING id, created_at',
    );
    return Object.assign(new UserEntity(), { id: row.id, createdAt: row.created_at });
  }

  async exists(id: string): Promise<boolean> {
    return this.users.exists({ where: { id } });
  }
}
